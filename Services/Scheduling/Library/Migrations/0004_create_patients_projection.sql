-- Scheduling's own copy of who the patients are, fed by reception's PatientRegistered/PatientUpdated events
-- (scheduling never reads reception's tables). Only what the appointment book shows.
CREATE TABLE patients (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    phone       text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now()
);
