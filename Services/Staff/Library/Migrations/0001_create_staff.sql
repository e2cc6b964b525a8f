-- Members of staff, the sign-in audit, signed-out tokens and the keys that sign staff tokens.
CREATE TABLE members (
    id                  uuid PRIMARY KEY,
    -- The sign-in name, lower-case.
    account             text NOT NULL CHECK (account = lower(account)),
    name                text NOT NULL,
    -- Role names as tokens carry them: desk, cashier, nurse, doctor, consultant, customer_service, supervisor,
    -- director, admin.
    roles               text[] NOT NULL DEFAULT '{}',
    team                text NOT NULL DEFAULT '',
    branch              text NOT NULL DEFAULT '',
    -- The member's doctor in scheduling (another service's id: no foreign key).
    doctor_id           uuid,
    active              boolean NOT NULL DEFAULT true,
    left_at             timestamptz,
    left_reason         text NOT NULL DEFAULT '',
    -- bcrypt ($2b$…); NULL until a password is set. Never leaves this table.
    password_hash       text,
    password_set_at     timestamptz,
    -- Failed attempts before this no longer count towards a lock-out (a success, a reset or a lock ends the run).
    failures_cleared_at timestamptz NOT NULL DEFAULT now(),
    locked_until        timestamptz,
    created_by          text NOT NULL DEFAULT '',
    updated_by          text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             bigint NOT NULL DEFAULT 1,
    CHECK (active = (left_at IS NULL))
);

-- One member per account, enforced here so that two admins adding the same account at once cannot both win.
CREATE UNIQUE INDEX members_account_key ON members (account);
CREATE INDEX members_departed ON members (left_at) WHERE NOT active;

-- Every sign-in attempt: who, when, from where, and why it failed. Never the password.
CREATE TABLE sign_in_attempts (
    id              bigserial PRIMARY KEY,
    -- The account as typed (lower-cased), known or not.
    account         text NOT NULL,
    member_id       uuid REFERENCES members (id),
    attempted_at    timestamptz NOT NULL,
    -- The client address the gateway saw, and the bus identity that carried the attempt.
    client_address  text NOT NULL DEFAULT '',
    peer            text NOT NULL DEFAULT '',
    succeeded       boolean NOT NULL,
    failure         text NOT NULL DEFAULT ''
        CHECK (failure IN ('', 'wrong_password', 'unknown_account', 'locked', 'inactive', 'no_password', 'wrong_current_password')),
    CHECK (succeeded = (failure = ''))
);
CREATE INDEX sign_in_attempts_account ON sign_in_attempts (account, id DESC);
-- The failures that count towards a lock-out, by member and time.
CREATE INDEX sign_in_attempts_member_failures ON sign_in_attempts (member_id, attempted_at) WHERE NOT succeeded;

-- Tokens signed out before their expiry; verifiers refuse them until then.
CREATE TABLE revoked_tokens (
    token_id    text PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- Ed25519 key pairs that sign staff tokens. The current key has no retired_at; a retired key keeps its public
-- half (listed until every token it signed has expired) and loses its private half.
CREATE TABLE signing_keys (
    key_id       text PRIMARY KEY,
    private_key  bytea CHECK (private_key IS NULL OR length(private_key) = 32),
    public_key   bytea NOT NULL CHECK (length(public_key) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    retired_at   timestamptz,
    CHECK (retired_at IS NOT NULL OR private_key IS NOT NULL)
);
-- At most one current key, even with two instances starting together.
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;
