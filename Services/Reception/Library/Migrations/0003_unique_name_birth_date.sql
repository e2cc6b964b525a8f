-- Name + birth date identifies a likely duplicate as surely as the phone does (DOMAIN §1: the desk is offered the
-- existing record instead of a second one). A unique index lets the database refuse it, so registration needs
-- neither an advisory lock nor a look-up before its insert.
DROP INDEX patients_name_birth;
CREATE UNIQUE INDEX patients_name_birth_key ON patients (lower(name), birth_date);
