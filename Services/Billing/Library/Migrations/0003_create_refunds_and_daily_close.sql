-- Refunds (退款), the daily close (日结) and anomalies (DOMAIN.md §3). Like the ledger, every table here is
-- append-only: a refund's status is derived from its steps, a day's latest count is its newest row, and a closed
-- day is a row in day_closes.
CREATE TABLE refunds (
    id                uuid PRIMARY KEY,
    bill_id           uuid NOT NULL REFERENCES bills (id),
    amount_fen        bigint NOT NULL CHECK (amount_fen > 0),
    reason            text NOT NULL CHECK (reason <> ''),
    first_visit_date  date NOT NULL,
    -- The bill's figures when the doctor asked.
    bill_total_fen    bigint NOT NULL,
    bill_paid_fen     bigint NOT NULL,
    requested_at      timestamptz NOT NULL,
    requested_by      text NOT NULL
);

CREATE INDEX refunds_bill ON refunds (bill_id, requested_at);

-- The steps after the request: approved or rejected (once, one or the other), then paid, then received.
CREATE TABLE refund_steps (
    refund_id   uuid NOT NULL REFERENCES refunds (id),
    step        text NOT NULL CHECK (step IN ('approved', 'rejected', 'paid', 'received')),
    note        text NOT NULL DEFAULT '',
    method      text CHECK (method IN ('cash', 'bank_card', 'social_insurance', 'wechat_pay', 'alipay')),
    reference   text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL,
    by          text NOT NULL,
    PRIMARY KEY (refund_id, step),
    CHECK (step <> 'paid' OR method IS NOT NULL),
    CHECK (step <> 'rejected' OR note <> '')
);

-- A refund is decided once: approved or rejected, never both.
CREATE UNIQUE INDEX refund_steps_decision ON refund_steps (refund_id) WHERE step IN ('approved', 'rejected');
CREATE INDEX refund_steps_paid ON refund_steps (at) WHERE step = 'paid';

-- Each refund's status: the furthest step it reached.
CREATE VIEW refund_statuses AS
SELECT r.id AS refund_id,
       CASE WHEN EXISTS (SELECT 1 FROM refund_steps s WHERE s.refund_id = r.id AND s.step = 'received') THEN 'received'
            WHEN EXISTS (SELECT 1 FROM refund_steps s WHERE s.refund_id = r.id AND s.step = 'paid') THEN 'paid'
            WHEN EXISTS (SELECT 1 FROM refund_steps s WHERE s.refund_id = r.id AND s.step = 'rejected') THEN 'rejected'
            WHEN EXISTS (SELECT 1 FROM refund_steps s WHERE s.refund_id = r.id AND s.step = 'approved') THEN 'approved'
            ELSE 'requested' END AS status
FROM refunds r;

-- The cashier's counts (cash) and the channels' settlement totals: a new row each time, the newest counts.
CREATE TABLE daily_counts (
    id              uuid PRIMARY KEY,
    close_date      date NOT NULL,
    method          text NOT NULL CHECK (method IN ('cash', 'bank_card', 'social_insurance', 'wechat_pay', 'alipay')),
    counted_fen     bigint NOT NULL CHECK (counted_fen >= 0),
    -- The system's figure when counted, and the difference recorded.
    system_fen      bigint NOT NULL,
    difference_fen  bigint NOT NULL,
    note            text NOT NULL DEFAULT '',
    counted_at      timestamptz NOT NULL,
    counted_by      text NOT NULL,
    CHECK (difference_fen = counted_fen - system_fen)
);

CREATE INDEX daily_counts_day ON daily_counts (close_date, method, counted_at);

CREATE TABLE day_closes (
    close_date  date PRIMARY KEY,
    note        text NOT NULL DEFAULT '',
    closed_at   timestamptz NOT NULL,
    closed_by   text NOT NULL
);

CREATE TABLE anomalies (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('failed_payment', 'disputed_amount', 'other')),
    bill_id      uuid REFERENCES bills (id),
    amount_fen   bigint NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    description  text NOT NULL CHECK (description <> ''),
    recorded_at  timestamptz NOT NULL,
    recorded_by  text NOT NULL
);

CREATE INDEX anomalies_recorded ON anomalies (recorded_at, id);

CREATE TRIGGER refunds_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON refunds
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER refund_steps_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON refund_steps
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER daily_counts_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON daily_counts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER day_closes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON day_closes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER anomalies_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON anomalies
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
