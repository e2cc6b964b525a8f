-- The billing ledger: bills, their lines, voids, payments and receipts. Nothing posted is edited or deleted
-- (DOMAIN.md §3, corrections): triggers refuse every UPDATE, DELETE and TRUNCATE of these tables, and a bill's
-- total, paid, balance and status are derived from its rows (bill_balances).
CREATE TABLE bills (
    id            uuid PRIMARY KEY,
    patient_id    uuid NOT NULL,
    patient_name  text NOT NULL DEFAULT '',
    -- Reception's visit (another service's id: no foreign key); NULL for a bill outside a visit.
    visit_id      uuid,
    doctor_name   text NOT NULL DEFAULT '',
    -- The clinic date whose prices the lines were charged at.
    service_date  date NOT NULL,
    created_at    timestamptz NOT NULL,
    created_by    text NOT NULL
);

-- One bill per visit: the same TreatmentCompleted twice, or a cashier's bill racing it, makes one bill.
CREATE UNIQUE INDEX bills_visit_key ON bills (visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX bills_service_date ON bills (service_date, created_at, id);
CREATE INDEX bills_patient ON bills (patient_id, service_date);

CREATE TABLE bill_lines (
    bill_id               uuid NOT NULL REFERENCES bills (id),
    line_number           integer NOT NULL CHECK (line_number >= 1),
    item_code             text NOT NULL,
    item_name             text NOT NULL DEFAULT '',
    category              text NOT NULL DEFAULT '' CHECK (category IN ('', 'treatment', 'drug', 'material', 'examination')),
    quantity              integer NOT NULL CHECK (quantity >= 1),
    unit_price_fen        bigint NOT NULL CHECK (unit_price_fen >= 0),
    discount_fen          bigint NOT NULL DEFAULT 0 CHECK (discount_fen >= 0),
    line_total_fen        bigint GENERATED ALWAYS AS (quantity * unit_price_fen - discount_fen) STORED,
    -- A fee code the schedule did not know: priced 0 until a later line resolves it.
    unresolved            boolean NOT NULL DEFAULT false,
    resolves_line_number  integer,
    added_at              timestamptz NOT NULL,
    added_by              text NOT NULL,
    PRIMARY KEY (bill_id, line_number),
    CHECK (quantity * unit_price_fen - discount_fen >= 0),
    CHECK (NOT unresolved OR unit_price_fen = 0),
    FOREIGN KEY (bill_id, resolves_line_number) REFERENCES bill_lines (bill_id, line_number)
);

-- An unresolved line is resolved once.
CREATE UNIQUE INDEX bill_lines_resolves_key ON bill_lines (bill_id, resolves_line_number) WHERE resolves_line_number IS NOT NULL;

CREATE TABLE bill_voids (
    bill_id    uuid PRIMARY KEY REFERENCES bills (id),
    reason     text NOT NULL CHECK (reason <> ''),
    voided_at  timestamptz NOT NULL,
    voided_by  text NOT NULL
);

CREATE TABLE payments (
    id            uuid PRIMARY KEY,
    bill_id       uuid NOT NULL REFERENCES bills (id),
    method        text NOT NULL CHECK (method IN ('cash', 'bank_card', 'social_insurance', 'wechat_pay', 'alipay')),
    amount_fen    bigint NOT NULL CHECK (amount_fen > 0),
    tendered_fen  bigint NOT NULL DEFAULT 0 CHECK (tendered_fen >= 0),
    change_fen    bigint NOT NULL DEFAULT 0 CHECK (change_fen >= 0),
    card_kind     text NOT NULL DEFAULT '' CHECK (card_kind IN ('', 'debit', 'credit')),
    -- Only the last four digits of a card are ever stored.
    card_last4    text NOT NULL DEFAULT '' CHECK (card_last4 ~ '^([0-9]{4})?$'),
    reference     text NOT NULL DEFAULT '',
    note          text NOT NULL DEFAULT '',
    received_at   timestamptz NOT NULL,
    received_by   text NOT NULL,
    CHECK (method <> 'cash' OR change_fen = tendered_fen - amount_fen),
    CHECK (method <> 'bank_card' OR (card_kind <> '' AND card_last4 <> '')),
    CHECK (method NOT IN ('social_insurance', 'wechat_pay', 'alipay') OR reference <> '')
);

CREATE INDEX payments_bill ON payments (bill_id, received_at);

-- Receipt numbers run without gaps per series: the counter row is taken last in the payment's transaction, so
-- a payment that rolls back gives its number back.
CREATE TABLE receipt_counters (
    series       text PRIMARY KEY,
    last_number  bigint NOT NULL
);

CREATE TABLE receipts (
    id                 uuid PRIMARY KEY,
    series             text NOT NULL,
    number             bigint NOT NULL CHECK (number >= 1),
    payment_id         uuid NOT NULL UNIQUE REFERENCES payments (id),
    bill_id            uuid NOT NULL REFERENCES bills (id),
    total_fen          bigint NOT NULL,
    paid_before_fen    bigint NOT NULL,
    paid_today_fen     bigint NOT NULL,
    balance_fen        bigint NOT NULL,
    -- 治疗费: the amount goes in the treatment-fee field.
    treatment_fee_fen  bigint NOT NULL,
    issued_at          timestamptz NOT NULL,
    issued_by          text NOT NULL,
    UNIQUE (series, number)
);

CREATE INDEX receipts_issued ON receipts (issued_at, series, number);

-- The append-only rule, enforced for every role including the owner's ordinary statements.
CREATE FUNCTION refuse_ledger_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'billing ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation', HINT = 'post a correction as a new entry';
END
$$;

CREATE TRIGGER bills_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON bills
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER bill_lines_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON bill_lines
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER bill_voids_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON bill_voids
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER payments_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON payments
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER receipts_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON receipts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();

-- Each bill's figures, derived from its rows: total (lines), paid (payments), balance, outstanding unresolved
-- lines and status (void; open before any payment; paid once nothing is owed; partly paid between).
CREATE VIEW bill_balances AS
SELECT b.id AS bill_id,
       l.total_fen,
       p.paid_fen,
       l.total_fen - p.paid_fen AS balance_fen,
       l.unresolved_lines,
       CASE WHEN v.bill_id IS NOT NULL THEN 'void'
            WHEN p.paid_fen = 0 THEN 'open'
            WHEN p.paid_fen >= l.total_fen THEN 'paid'
            ELSE 'partly_paid' END AS status
FROM bills b
CROSS JOIN LATERAL (
    SELECT COALESCE(sum(x.line_total_fen), 0)::bigint AS total_fen,
           count(*) FILTER (WHERE x.unresolved AND NOT EXISTS (
               SELECT 1 FROM bill_lines r WHERE r.bill_id = x.bill_id AND r.resolves_line_number = x.line_number))::integer
               AS unresolved_lines
    FROM bill_lines x WHERE x.bill_id = b.id) l
CROSS JOIN LATERAL (
    SELECT COALESCE(sum(y.amount_fen), 0)::bigint AS paid_fen FROM payments y WHERE y.bill_id = b.id) p
LEFT JOIN bill_voids v ON v.bill_id = b.id;
