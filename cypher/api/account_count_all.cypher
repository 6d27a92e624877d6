// How many accounts there are: account_count without filters, as a bare count ArcadeDB answers from its
// type's record count (~1 ms at 10k accounts, where the filtered form scans them all: ~100 ms).
MATCH (a:Account)
RETURN count(a) AS total
