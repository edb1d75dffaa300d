"""The import of existing members (and their past payments) from a spreadsheet: reading the
file safely (`reading`), matching its columns (`columns`), checking each line with the forms'
own rules and finding the members it already describes (`lines`). The service that writes is
`dues.services.imports`."""
