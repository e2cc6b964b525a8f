-- Corrections (更改内容) and discounts (优惠), DOMAIN.md §3. A correction is a new entry pointing at the entry it
-- corrects; a discount is a new row on the bill, never an edited line. Both are append-only. bill_balances is
-- redefined: the total is the lines less the discounts, and refunds paid out are shown beside it.
CREATE TABLE corrections (
    id              uuid PRIMARY KEY,
    entry           text NOT NULL CHECK (entry IN ('bill', 'bill_line', 'payment', 'receipt')),
    entry_id        uuid NOT NULL,
    line_number     integer,
    bill_id         uuid NOT NULL REFERENCES bills (id),
    patient_id      uuid NOT NULL,
    reason          text NOT NULL CHECK (reason <> ''),
    what_was_wrong  text NOT NULL CHECK (what_was_wrong <> ''),
    fix             text NOT NULL CHECK (fix <> ''),
    adjustment_fen  bigint NOT NULL DEFAULT 0,
    requested_at    timestamptz NOT NULL,
    requested_by    text NOT NULL,
    CHECK ((entry = 'bill_line') = (line_number IS NOT NULL))
);

CREATE INDEX corrections_entry ON corrections (entry_id);
CREATE INDEX corrections_bill ON corrections (bill_id, requested_at);

CREATE TABLE correction_countersigns (
    correction_id     uuid PRIMARY KEY REFERENCES corrections (id),
    countersigned_at  timestamptz NOT NULL,
    countersigned_by  text NOT NULL
);

CREATE TABLE discount_policies (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    percent_bp  integer NOT NULL DEFAULT 0 CHECK (percent_bp BETWEEN 0 AND 10000),
    amount_fen  bigint NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    reason      text NOT NULL CHECK (reason <> ''),
    created_at  timestamptz NOT NULL,
    created_by  text NOT NULL,
    CHECK ((percent_bp > 0) <> (amount_fen > 0))
);

CREATE TABLE vip_cards (
    serial             text PRIMARY KEY,
    holder_patient_id  uuid NOT NULL,
    percent_bp         integer NOT NULL CHECK (percent_bp BETWEEN 1 AND 10000),
    issued_at          timestamptz NOT NULL,
    issued_by          text NOT NULL
);

CREATE TABLE coupons (
    code         text PRIMARY KEY,
    description  text NOT NULL,
    percent_bp   integer NOT NULL DEFAULT 0 CHECK (percent_bp BETWEEN 0 AND 10000),
    amount_fen   bigint NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    created_at   timestamptz NOT NULL,
    created_by   text NOT NULL,
    CHECK ((percent_bp > 0) <> (amount_fen > 0))
);

CREATE TABLE bill_discounts (
    id          uuid PRIMARY KEY,
    bill_id     uuid NOT NULL REFERENCES bills (id),
    source      text NOT NULL CHECK (source IN ('policy', 'vip_card', 'coupon')),
    source_ref  text NOT NULL,
    percent_bp  integer NOT NULL DEFAULT 0,
    amount_fen  bigint NOT NULL CHECK (amount_fen > 0),
    reason      text NOT NULL DEFAULT '',
    applied_at  timestamptz NOT NULL,
    applied_by  text NOT NULL
);

CREATE INDEX bill_discounts_bill ON bill_discounts (bill_id, applied_at);
-- A coupon is used once, whichever bill and however two uses race; a policy or a card once per bill.
CREATE UNIQUE INDEX bill_discounts_coupon_once ON bill_discounts (source_ref) WHERE source = 'coupon';
CREATE UNIQUE INDEX bill_discounts_once_per_bill ON bill_discounts (bill_id, source, source_ref);

CREATE TRIGGER corrections_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON corrections
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER correction_countersigns_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON correction_countersigns
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER bill_discounts_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON bill_discounts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER discount_policies_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON discount_policies
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER vip_cards_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON vip_cards
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER coupons_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON coupons
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();

-- Each bill's figures: lines less discounts make the total; paid, balance, unresolved lines and status as before;
-- refunds paid out beside them (a refund does not reopen a bill).
DROP VIEW bill_balances;
CREATE VIEW bill_balances AS
SELECT b.id AS bill_id,
       l.total_fen - d.discount_fen AS total_fen,
       p.paid_fen,
       l.total_fen - d.discount_fen - p.paid_fen AS balance_fen,
       l.unresolved_lines,
       CASE WHEN v.bill_id IS NOT NULL THEN 'void'
            WHEN p.paid_fen = 0 THEN 'open'
            WHEN p.paid_fen >= l.total_fen - d.discount_fen THEN 'paid'
            ELSE 'partly_paid' END AS status,
       d.discount_fen,
       f.refunded_fen,
       EXISTS (SELECT 1 FROM corrections c WHERE c.entry_id = b.id AND c.entry = 'bill') AS corrected
FROM bills b
CROSS JOIN LATERAL (
    SELECT COALESCE(sum(x.line_total_fen), 0)::bigint AS total_fen,
           count(*) FILTER (WHERE x.unresolved AND NOT EXISTS (
               SELECT 1 FROM bill_lines r WHERE r.bill_id = x.bill_id AND r.resolves_line_number = x.line_number))::integer
               AS unresolved_lines
    FROM bill_lines x WHERE x.bill_id = b.id) l
CROSS JOIN LATERAL (
    SELECT COALESCE(sum(y.amount_fen), 0)::bigint AS paid_fen FROM payments y WHERE y.bill_id = b.id) p
CROSS JOIN LATERAL (
    SELECT COALESCE(sum(z.amount_fen), 0)::bigint AS discount_fen FROM bill_discounts z WHERE z.bill_id = b.id) d
CROSS JOIN LATERAL (
    SELECT COALESCE(sum(r.amount_fen), 0)::bigint AS refunded_fen FROM refunds r
    WHERE r.bill_id = b.id AND EXISTS (SELECT 1 FROM refund_steps s WHERE s.refund_id = r.id AND s.step = 'paid')) f
LEFT JOIN bill_voids v ON v.bill_id = b.id;
