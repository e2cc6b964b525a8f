-- Follow-up (回访) and complaints (投诉): the rule table, tasks and their attempts, patient messages, complaints.
-- Staff and patients are copies kept from clinic-staff's and reception's events, never read from their schemas.

-- Members of staff as clinic-staff's events describe them (who calls, and who a task can go to).
CREATE TABLE staff_members (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    roles       text[] NOT NULL DEFAULT '{}',
    team        text NOT NULL DEFAULT '',
    doctor_id   uuid,
    active      boolean NOT NULL,
    version     bigint NOT NULL DEFAULT 0,
    left_at     timestamptz
);
CREATE INDEX staff_members_doctor ON staff_members (doctor_id) WHERE active;

-- Patients as reception's events describe them: the name and phone a call needs, and their consultant.
CREATE TABLE patients (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    phone       text NOT NULL DEFAULT '',
    consultant  text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL
);

-- The rule table: one follow-up point per row. treatment_kind NULL is the point every patient gets.
CREATE TABLE rules (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    treatment_kind  text,
    offset_value    integer NOT NULL CHECK (offset_value BETWEEN 0 AND 1000),
    offset_unit     text NOT NULL CHECK (offset_unit IN ('hours', 'days', 'months')),
    window_end      integer NOT NULL DEFAULT 0 CHECK (window_end BETWEEN 0 AND 1000),
    caller          text NOT NULL CHECK (caller IN ('treating_doctor', 'customer_service')),
    purpose         text NOT NULL CHECK (purpose <> ''),
    until_kind      text,
    ends_series     boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    updated_by      text NOT NULL DEFAULT 'system:defaults',
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The defaults (DOMAIN.md §4's table) are loaded by migration 2, made from DefaultRules.swift.

-- A call to make. source_key names what planned it (an event and a rule), so handling an event twice makes one task.
CREATE TABLE tasks (
    id                   uuid PRIMARY KEY,
    source_key           text UNIQUE,
    kind                 text NOT NULL,
    status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'not_needed', 'cancelled')),
    patient_id           uuid,
    patient_name         text NOT NULL DEFAULT '',
    phone                text NOT NULL DEFAULT '',
    purpose              text NOT NULL,
    due_date             date NOT NULL,
    due_at               timestamptz,
    due_by               date NOT NULL CHECK (due_by >= due_date OR rollovers > 0),
    assignee_id          uuid,
    team                 text NOT NULL CHECK (team IN ('clinical', 'customer_service', 'consultants')),
    unattended           boolean NOT NULL DEFAULT false,
    treating_doctor_id   uuid,
    treating_doctor_name text NOT NULL DEFAULT '',
    visit_id             uuid,
    appointment_id       uuid,
    treatment_kind       text,
    teeth                integer[] NOT NULL DEFAULT '{}',
    rule_id              uuid,
    until_kind           text,
    ends_series          boolean NOT NULL DEFAULT false,
    attempts             integer NOT NULL DEFAULT 0,
    rollovers            integer NOT NULL DEFAULT 0,
    closed_reason        text NOT NULL DEFAULT '',
    closed_by            text NOT NULL DEFAULT '',
    closed_at            timestamptz,
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL,
    CHECK ((status = 'open') = (closed_at IS NULL)),
    CHECK (status <> 'not_needed' OR closed_reason <> '')
);
-- A person's list and a team's list: open tasks by due day.
CREATE INDEX tasks_open_by_assignee ON tasks (assignee_id, due_date, id) WHERE status = 'open';
CREATE INDEX tasks_open_by_team ON tasks (team, due_date, id) WHERE status = 'open';
CREATE INDEX tasks_open_by_due ON tasks (due_date) WHERE status = 'open';
CREATE INDEX tasks_by_patient ON tasks (patient_id, due_date);
CREATE INDEX tasks_by_appointment ON tasks (appointment_id) WHERE appointment_id IS NOT NULL;
CREATE INDEX tasks_by_due_month ON tasks (due_by);

-- Every attempt at a task, reached or not, and what it set in motion.
CREATE TABLE task_attempts (
    id                       bigserial PRIMARY KEY,
    task_id                  uuid NOT NULL REFERENCES tasks (id),
    reached                  boolean NOT NULL,
    channel                  text NOT NULL,
    conditions               text[] NOT NULL DEFAULT '{}',
    advice                   text NOT NULL DEFAULT '',
    satisfaction             text,
    suggestions              text NOT NULL DEFAULT '',
    notes                    text NOT NULL DEFAULT '',
    complaint_id             uuid,
    doctor_call_back_task_id uuid,
    discomfort_task_id       uuid,
    appointment_id           uuid,
    booking_later            boolean NOT NULL DEFAULT false,
    moved_to_recall          boolean NOT NULL DEFAULT false,
    recorded_by              text NOT NULL,
    recorded_at              timestamptz NOT NULL
);
CREATE INDEX task_attempts_by_task ON task_attempts (task_id, id);
CREATE INDEX task_attempts_by_time ON task_attempts (recorded_at) WHERE satisfaction IS NOT NULL;

-- Every move of a task from one assignee to another: a bulk reassignment, or a member who left.
CREATE TABLE task_reassignments (
    id          bigserial PRIMARY KEY,
    task_id     uuid NOT NULL REFERENCES tasks (id),
    from_id     uuid,
    to_id       uuid NOT NULL,
    reason      text NOT NULL DEFAULT '',
    by          text NOT NULL,
    at          timestamptz NOT NULL
);
CREATE INDEX task_reassignments_by_task ON task_reassignments (task_id);

-- The day's check (16:00 by default): one row per clinic day, made by whichever instance got there first.
CREATE TABLE cutoff_checks (
    day         date PRIMARY KEY,
    checked_at  timestamptz NOT NULL,
    check_time  text NOT NULL,
    open_tasks  integer NOT NULL,
    people      jsonb NOT NULL
);

-- Messages to patients: a template and its values. recipient is the full number, given only to the claiming sender.
CREATE TABLE messages (
    id                  uuid PRIMARY KEY,
    source_key          text UNIQUE,
    patient_id          uuid,
    patient_name        text NOT NULL DEFAULT '',
    recipient           text NOT NULL,
    channel             text NOT NULL CHECK (channel IN ('sms', 'wechat')),
    template            text NOT NULL,
    "values"            jsonb NOT NULL DEFAULT '{}',
    text                text NOT NULL,
    status              text NOT NULL DEFAULT 'queued'
                        CHECK (status IN ('queued', 'claimed', 'sent', 'delivered', 'failed', 'cancelled')),
    send_after          timestamptz NOT NULL,
    claimed_by          text NOT NULL DEFAULT '',
    claimed_peer        text NOT NULL DEFAULT '',
    claimed_at          timestamptz,
    claim_expires_at    timestamptz,
    claims              integer NOT NULL DEFAULT 0,
    failure_reason      text NOT NULL DEFAULT '',
    provider_reference  text NOT NULL DEFAULT '',
    appointment_id      uuid,
    task_id             uuid,
    queued_by           text NOT NULL,
    queued_at           timestamptz NOT NULL,
    reported_at         timestamptz
);
CREATE INDEX messages_claimable ON messages (send_after, id) WHERE status IN ('queued', 'claimed');
CREATE INDEX messages_by_appointment ON messages (appointment_id) WHERE appointment_id IS NOT NULL;
CREATE INDEX messages_by_time ON messages (queued_at DESC, id);

-- Complaints and their steps.
CREATE TABLE complaints (
    id                       uuid PRIMARY KEY,
    source_key               text UNIQUE,
    patient_id               uuid,
    patient_name             text NOT NULL,
    phone                    text NOT NULL DEFAULT '',
    channel                  text NOT NULL,
    category                 text NOT NULL CHECK (category IN ('medical', 'service_attitude', 'price_billing', 'environment', 'other')),
    description              text NOT NULL,
    severity                 text NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high')),
    owner_id                 uuid,
    status                   text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'investigating', 'replied', 'closed')),
    reply_deadline           date NOT NULL,
    reply                    text NOT NULL DEFAULT '',
    resolution               text NOT NULL DEFAULT '',
    corrective_action        text NOT NULL DEFAULT '',
    resolution_satisfaction  text,
    escalated_at             timestamptz,
    escalation_reason        text NOT NULL DEFAULT '',
    task_id                  uuid,
    visit_id                 uuid,
    filed_by                 text NOT NULL,
    filed_at                 timestamptz NOT NULL
);
CREATE INDEX complaints_by_status ON complaints (status, filed_at);
CREATE INDEX complaints_to_escalate ON complaints (reply_deadline) WHERE escalated_at IS NULL AND status <> 'closed';

CREATE TABLE complaint_steps (
    id            bigserial PRIMARY KEY,
    complaint_id  uuid NOT NULL REFERENCES complaints (id),
    status        text NOT NULL,
    note          text NOT NULL DEFAULT '',
    by            text NOT NULL,
    at            timestamptz NOT NULL
);
CREATE INDEX complaint_steps_by_complaint ON complaint_steps (complaint_id, id);
