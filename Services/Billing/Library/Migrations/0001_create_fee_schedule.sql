-- The fee schedule (收费项目及标准): items, and their prices as dated versions. A price change is a new version;
-- the price in force on day D is the latest version starting on or before D that has not ended before D.
CREATE TABLE fee_items (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$' AND length(code) <= 32),
    name        text NOT NULL CHECK (name <> ''),
    category    text NOT NULL CHECK (category IN ('treatment', 'drug', 'material', 'examination')),
    created_at  timestamptz NOT NULL,
    created_by  text NOT NULL
);

CREATE TABLE fee_prices (
    id              bigserial PRIMARY KEY,
    code            text NOT NULL REFERENCES fee_items (code),
    unit_price_fen  bigint NOT NULL CHECK (unit_price_fen >= 0),
    active_from     date NOT NULL,
    active_to       date CHECK (active_to IS NULL OR active_to >= active_from),
    set_at          timestamptz NOT NULL,
    set_by          text NOT NULL
);

CREATE INDEX fee_prices_in_force ON fee_prices (code, active_from DESC, id DESC);

-- The price version in force for each code on a day: one row per code priced that day.
CREATE FUNCTION fee_prices_on(day date) RETURNS SETOF fee_prices
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (code) * FROM fee_prices
    WHERE active_from <= day AND (active_to IS NULL OR active_to >= day)
    ORDER BY code, active_from DESC, id DESC
$$;
