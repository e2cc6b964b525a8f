// Worker routes are registered by the contract's method descriptors: whoever serves or calls rpcs uses them too.
@_exported import ClinicContract
