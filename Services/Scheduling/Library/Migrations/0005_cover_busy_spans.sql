-- Slot search and booking checks read only (doctor or chair, start, end, status) of the appointments around a
-- window. Covering indexes answer them from the index alone (an index-only scan), without visiting the table.
CREATE INDEX appointments_doctor_span ON appointments (doctor_id, start_time) INCLUDE (end_time, status);
DROP INDEX appointments_doctor_start;
CREATE INDEX appointments_chair_span ON appointments (chair_id, start_time) INCLUDE (end_time, status);
DROP INDEX appointments_chair_start;
