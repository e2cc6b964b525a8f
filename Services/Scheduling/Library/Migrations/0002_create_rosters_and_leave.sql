-- When doctors work. Times of day are clinic-local wall-clock times ("HH:MM"); a date is a clinic-local date.
-- Breaks are kept as "HH:MM-HH:MM" entries, validated by the service (inside the hours, not overlapping).
CREATE TABLE roster_days (
    doctor_id   uuid NOT NULL REFERENCES doctors (id),
    weekday     smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts_at   time NOT NULL,
    ends_at     time NOT NULL CHECK (ends_at > starts_at),
    breaks      text[] NOT NULL DEFAULT '{}',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (doctor_id, weekday)
);

-- One date whose hours differ from the weekly roster (or a day off).
CREATE TABLE roster_overrides (
    doctor_id   uuid NOT NULL REFERENCES doctors (id),
    day         date NOT NULL,
    day_off     boolean NOT NULL,
    starts_at   time,
    ends_at     time,
    breaks      text[] NOT NULL DEFAULT '{}',
    reason      text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (doctor_id, day),
    CHECK (day_off OR (starts_at IS NOT NULL AND ends_at IS NOT NULL AND ends_at > starts_at))
);

-- Leave is an exact span of instants; withdrawn leave is kept, flagged cancelled.
CREATE TABLE leave (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    doctor_id   uuid NOT NULL REFERENCES doctors (id),
    start_time  timestamptz NOT NULL,
    end_time    timestamptz NOT NULL CHECK (end_time > start_time),
    reason      text NOT NULL DEFAULT '',
    cancelled   boolean NOT NULL DEFAULT false,
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leave_doctor_end ON leave (doctor_id, end_time) WHERE NOT cancelled;
