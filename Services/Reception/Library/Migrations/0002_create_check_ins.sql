-- Arrivals at the desk: a patient checks in for an appointment, or walks in (no appointment).
CREATE TABLE check_ins (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    patient_id      uuid NOT NULL REFERENCES patients (id),
    -- Scheduling's appointment (another service's id: no foreign key); NULL for a walk-in.
    appointment_id  uuid,
    checked_in_at   timestamptz NOT NULL DEFAULT now(),
    checked_in_by   text NOT NULL DEFAULT ''
);

-- One check-in per appointment, enforced here so that two desks checking in at once cannot both win.
CREATE UNIQUE INDEX check_ins_appointment_key ON check_ins (appointment_id) WHERE appointment_id IS NOT NULL;
CREATE INDEX check_ins_patient ON check_ins (patient_id, checked_in_at DESC);
