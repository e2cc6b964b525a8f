-- Visits: a patient's day in the clinic (DOMAIN.md §1, §6), from check-in to leaving, with each step, the
-- treatments done, the desk's queue moves, and phone consultations.
CREATE TABLE visits (
    id                        uuid PRIMARY KEY,
    patient_id                uuid NOT NULL REFERENCES patients (id),
    -- Scheduling's appointment (another service's id: no foreign key); NULL for a walk-in.
    appointment_id            uuid,
    appointment_start         timestamptz,
    kind                      text NOT NULL CHECK (kind IN ('first', 'return', 'consultation', 'checkup', 'free_check',
                                                            'orthodontic', 'emergency')),
    suggested_kind            text NOT NULL,
    kind_override_reason      text NOT NULL DEFAULT '',
    status                    text NOT NULL CHECK (status IN ('checked_in', 'waiting', 'in_treatment', 'treatment_done',
                                                              'paid', 'left', 'left_unseen')),
    -- Scheduling's doctor, with the name as it was when assigned (for the queue view without a bus hop).
    doctor_id                 text,
    doctor_name               text NOT NULL DEFAULT '',
    assignment                text NOT NULL DEFAULT '',
    assignment_note           text NOT NULL DEFAULT '',
    covering_for_doctor_id    text,
    covering_for_doctor_name  text NOT NULL DEFAULT '',
    requested_doctor_gender   smallint NOT NULL DEFAULT 0,
    teeth                     smallint[] NOT NULL DEFAULT '{}',
    complaint                 text NOT NULL DEFAULT '',
    called_ahead              boolean NOT NULL DEFAULT false,
    checked_in_at             timestamptz NOT NULL,
    checked_in_by             text NOT NULL,
    treatment_started_at      timestamptz,
    treatment_done_at         timestamptz,
    paid_at                   timestamptz,
    left_at                   timestamptz,
    leave_reason              text NOT NULL DEFAULT '',
    bill_id                   text,
    -- A manual move: the queue key the desk gave (priority class, time, tie-break), else NULL and the rules decide.
    moved_priority            smallint,
    moved_time                timestamptz,
    moved_tie_break           double precision,
    move_reason               text NOT NULL DEFAULT '',
    -- When WaitPromptDue went out for each threshold (once each).
    educate_prompted_at       timestamptz,
    new_time_prompted_at      timestamptz,
    version                   bigint NOT NULL DEFAULT 1
);

-- One visit before treatment is done per patient, so 16 desks checking the same patient in at once make one visit.
CREATE UNIQUE INDEX visits_one_open_per_patient ON visits (patient_id) WHERE status IN ('checked_in', 'waiting', 'in_treatment');
-- One visit per appointment.
CREATE UNIQUE INDEX visits_appointment_key ON visits (appointment_id) WHERE appointment_id IS NOT NULL;
-- The queue view reads the open visits only.
CREATE INDEX visits_open ON visits (doctor_id) WHERE status IN ('checked_in', 'waiting', 'in_treatment');
-- A doctor's recent treatment times (the estimated wait).
CREATE INDEX visits_doctor_done ON visits (doctor_id, treatment_done_at DESC) WHERE treatment_done_at IS NOT NULL;
CREATE INDEX visits_patient ON visits (patient_id, checked_in_at DESC);
CREATE INDEX visits_checked_in_at ON visits (checked_in_at);

-- Every step of every visit: the state reached, when, by whom, and the reason when one was needed.
CREATE TABLE visit_steps (
    id        bigserial PRIMARY KEY,
    visit_id  uuid NOT NULL REFERENCES visits (id),
    status    text NOT NULL,
    at        timestamptz NOT NULL,
    by        text NOT NULL,
    note      text NOT NULL DEFAULT ''
);
CREATE INDEX visit_steps_visit ON visit_steps (visit_id, id);

-- The treatments recorded when treatment is done.
CREATE TABLE visit_treatments (
    id          bigserial PRIMARY KEY,
    visit_id    uuid NOT NULL REFERENCES visits (id),
    patient_id  uuid NOT NULL,
    kind        text NOT NULL,
    teeth       smallint[] NOT NULL DEFAULT '{}',
    fee_codes   text[] NOT NULL DEFAULT '{}',
    notes       text NOT NULL DEFAULT '',
    doctor_id   text NOT NULL DEFAULT '',
    doctor_name text NOT NULL DEFAULT '',
    done_at     timestamptz NOT NULL,
    recorded_by text NOT NULL
);
CREATE INDEX visit_treatments_visit ON visit_treatments (visit_id, id);
CREATE INDEX visit_treatments_patient ON visit_treatments (patient_id, done_at DESC);

-- The desk's queue moves, each with its reason.
CREATE TABLE visit_queue_moves (
    id               bigserial PRIMARY KEY,
    visit_id         uuid NOT NULL REFERENCES visits (id),
    before_visit_id  uuid,
    reason           text NOT NULL,
    moved_by         text NOT NULL,
    moved_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visit_queue_moves_visit ON visit_queue_moves (visit_id, id);

-- Arrivals recorded before visits existed become visits that ended the day they began.
INSERT INTO visits (id, patient_id, appointment_id, kind, suggested_kind, status, checked_in_at, checked_in_by, left_at)
SELECT c.id, c.patient_id, c.appointment_id, 'return', 'return', 'left', c.checked_in_at, c.checked_in_by, c.checked_in_at
FROM check_ins c;
INSERT INTO visit_steps (visit_id, status, at, by)
SELECT id, 'checked_in', checked_in_at, checked_in_by FROM visits;
DROP TABLE check_ins;

-- Phone consultations at the desk.
CREATE TABLE phone_consultations (
    id                  uuid PRIMARY KEY,
    caller_name         text NOT NULL,
    phone               text NOT NULL,
    patient_id          uuid REFERENCES patients (id),
    question            text NOT NULL,
    answer              text NOT NULL DEFAULT '',
    advice              text NOT NULL DEFAULT '',
    call_back_needed    boolean NOT NULL DEFAULT false,
    appointment_needed  boolean NOT NULL DEFAULT false,
    recorded_by         text NOT NULL,
    recorded_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phone_consultations_recorded_at ON phone_consultations (recorded_at DESC, id);
