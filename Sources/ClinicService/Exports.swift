// Services validate and store the clinic's value types (dates, mobile numbers) and serve the contract's rpcs.
@_exported import ClinicContract
@_exported import ClinicValues
