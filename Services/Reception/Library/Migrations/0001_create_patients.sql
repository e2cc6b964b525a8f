-- Patient records, their contact history and the access log of full-record reads.
CREATE TABLE patients (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                    text NOT NULL,
    gender                  smallint NOT NULL DEFAULT 0,
    birth_date              date NOT NULL,
    phone                   text NOT NULL,
    national_id             text,
    address                 text NOT NULL DEFAULT '',
    allergies               text[] NOT NULL DEFAULT '{}',
    medical_history         text[] NOT NULL DEFAULT '{}',
    contraindications       text NOT NULL DEFAULT '',
    source_channel          smallint NOT NULL DEFAULT 0,
    referrer                text NOT NULL DEFAULT '',
    preferred_doctor_id     text NOT NULL DEFAULT '',
    preferred_doctor_gender smallint NOT NULL DEFAULT 0,
    consultant              text NOT NULL DEFAULT '',
    vip                     boolean NOT NULL DEFAULT false,
    notes                   text NOT NULL DEFAULT '',
    created_by              text NOT NULL DEFAULT '',
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    version                 bigint NOT NULL DEFAULT 1
);

-- A phone belongs to one record (enforced here, so two desks registering at once cannot both win);
-- name + birth date is checked under an advisory lock (two people may share both, but rarely register at once).
CREATE UNIQUE INDEX patients_phone_key ON patients (phone);
CREATE INDEX patients_name_birth ON patients (lower(name), birth_date);
CREATE UNIQUE INDEX patients_national_id_key ON patients (national_id) WHERE national_id IS NOT NULL;

-- Prefix search on name and phone (text_pattern_ops makes LIKE 'abc%' indexable in any collation).
CREATE INDEX patients_name_prefix ON patients (lower(name) text_pattern_ops);
CREATE INDEX patients_phone_prefix ON patients (phone text_pattern_ops);

CREATE TABLE patient_contact_changes (
    id          bigserial PRIMARY KEY,
    patient_id  uuid NOT NULL REFERENCES patients (id),
    field       text NOT NULL,
    old_value   text NOT NULL,
    new_value   text NOT NULL,
    changed_by  text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patient_contact_changes_patient ON patient_contact_changes (patient_id, id DESC);

CREATE TABLE patient_access_log (
    id          bigserial PRIMARY KEY,
    patient_id  uuid NOT NULL,
    accessed_by text NOT NULL,
    role        text NOT NULL DEFAULT '',
    reason      text NOT NULL DEFAULT '',
    accessed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patient_access_log_patient ON patient_access_log (patient_id, accessed_at DESC);
