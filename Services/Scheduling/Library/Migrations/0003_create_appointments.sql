-- The appointment book. Instants are UTC timestamptz; the clinic time zone applies only at the edges.
CREATE TABLE appointments (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    patient_id          uuid,
    prospect_name       text NOT NULL DEFAULT '',
    prospect_phone      text NOT NULL DEFAULT '',
    prospect_age        integer NOT NULL DEFAULT 0,
    prospect_gender     smallint NOT NULL DEFAULT 0,
    doctor_id           uuid NOT NULL REFERENCES doctors (id),
    chair_id            uuid REFERENCES chairs (id),
    start_time          timestamptz NOT NULL,
    end_time            timestamptz NOT NULL,
    duration_minutes    integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
    procedure           text NOT NULL DEFAULT '',
    source              smallint NOT NULL DEFAULT 0,
    notes               text NOT NULL DEFAULT '',
    status              text NOT NULL DEFAULT 'booked' CHECK (status IN
                            ('booked', 'confirmed', 'arrived', 'in_treatment', 'completed',
                             'cancelled', 'rescheduled', 'no_show')),
    cancel_reason       text NOT NULL DEFAULT '',
    rescheduled_to_id   uuid REFERENCES appointments (id),
    rescheduled_from_id uuid REFERENCES appointments (id),
    booked_by           text NOT NULL DEFAULT '',
    arrived_at          timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             bigint NOT NULL DEFAULT 1,
    CHECK (end_time > start_time),
    CHECK (patient_id IS NOT NULL OR prospect_name <> ''),
    -- No double booking, enforced by the database: an active appointment's span may not overlap another
    -- active one of the same doctor, nor of the same chair. Cancelled, rescheduled and no-show free the slot.
    CONSTRAINT appointments_doctor_no_overlap EXCLUDE USING gist
        (doctor_id WITH =, tstzrange(start_time, end_time) WITH &&)
        WHERE (status IN ('booked', 'confirmed', 'arrived', 'in_treatment', 'completed')),
    CONSTRAINT appointments_chair_no_overlap EXCLUDE USING gist
        (chair_id WITH =, tstzrange(start_time, end_time) WITH &&)
        WHERE (status IN ('booked', 'confirmed', 'arrived', 'in_treatment', 'completed'))
);
CREATE INDEX appointments_doctor_start ON appointments (doctor_id, start_time);
CREATE INDEX appointments_chair_start ON appointments (chair_id, start_time);
CREATE INDEX appointments_patient_start ON appointments (patient_id, start_time);
-- The day view, and the no-show job's scan of appointments still waiting for their patient.
CREATE INDEX appointments_start ON appointments (start_time);
CREATE INDEX appointments_awaiting ON appointments (start_time) WHERE status IN ('booked', 'confirmed');

CREATE TABLE confirmations (
    id              bigserial PRIMARY KEY,
    appointment_id  uuid NOT NULL REFERENCES appointments (id),
    channel         smallint NOT NULL DEFAULT 0,
    confirmed_at    timestamptz NOT NULL DEFAULT now(),
    confirmed_by    text NOT NULL DEFAULT '',
    note            text NOT NULL DEFAULT ''
);
CREATE INDEX confirmations_appointment ON confirmations (appointment_id, id);
