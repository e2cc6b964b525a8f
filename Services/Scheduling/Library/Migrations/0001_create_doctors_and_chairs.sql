-- The resources the appointment book books: doctors and chairs (treatment rooms).
CREATE TABLE doctors (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL,
    specialty   text NOT NULL DEFAULT '',
    gender      smallint NOT NULL DEFAULT 0,
    title       text NOT NULL DEFAULT '',
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Specialty searches match case-insensitively and only look at active doctors.
CREATE INDEX doctors_specialty ON doctors (lower(specialty)) WHERE active;

CREATE TABLE chairs (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL,
    room        text NOT NULL DEFAULT '',
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
