-- Every print of a receipt: the first is the original, every later one a copy (副本). Append-only like the ledger.
CREATE TABLE receipt_prints (
    id          bigserial PRIMARY KEY,
    receipt_id  uuid NOT NULL REFERENCES receipts (id),
    printed_at  timestamptz NOT NULL,
    printed_by  text NOT NULL
);
CREATE INDEX receipt_prints_receipt ON receipt_prints (receipt_id, id);

CREATE TRIGGER receipt_prints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON receipt_prints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
