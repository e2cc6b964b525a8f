-- A payment takes its receipt number in its last statement, sent with its COMMIT, so that the counter row (which
-- every payment queues for) is held for that statement and the commit only. The PaymentReceived event, written in
-- the same statement, gets the number there: these functions put it into the encoded event as billing's Swift code
-- would (tests check both agree).

-- The two SQL functions are one expression each and not STRICT, so the planner writes them into the statement that
-- calls them (inlining) instead of running each call as a query of its own.

-- The number as printed: the series, a dash and at least six digits, e.g. 2026-000017 (ReceiptRecord.display).
CREATE FUNCTION receipt_display_number(series text, number bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT series || '-' || CASE WHEN number >= 1000000 THEN number::text ELSE lpad(number::text, 6, '0') END
$$;

-- A non-negative integer as a protobuf varint: seven bits a byte, lowest first, the high bit set on all but the last.
CREATE FUNCTION protobuf_varint(value bigint) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    encoded bytea := '';
BEGIN
    IF value < 0 THEN
        RAISE EXCEPTION 'protobuf_varint takes no negative value';
    END IF;
    WHILE value >= 128 LOOP
        encoded := encoded || set_byte('\x00'::bytea, 0, ((value & 127) | 128)::integer);
        value := value >> 7;
    END LOOP;
    RETURN encoded || set_byte('\x00'::bytea, 0, value::integer);
END
$$;

-- An encoded protobuf message with its string field number `field` set to `value`, for an encoding that does not
-- carry that field: a message's fields may come in any order, so appending the field (its key, its length, its
-- UTF-8 bytes) sets it.
CREATE FUNCTION protobuf_with_string(message bytea, field integer, value text) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT message || protobuf_varint((field::bigint << 3) | 2) || protobuf_varint(octet_length(convert_to(value, 'UTF8')))
        || convert_to(value, 'UTF8')
$$;
