// The store reads and writes the clinic's value types (ids, dates) in SQL: whoever uses the store uses them too.
@_exported import ClinicValues
