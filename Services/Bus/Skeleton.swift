// Module skeleton: replaced as the module is written.
