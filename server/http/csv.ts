// The CSV reader and writer live in the contract since the admin page previews a file before it is
// sent: the page and the import read a file the same way (separator, line numbers).
export { type CsvRecord, parseCsv, toCsv } from '#contract/csv.ts';
