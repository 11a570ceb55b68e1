package store

// SetSQLiteSynchronous sets the synchronous mode of SQLite writers opened
// from now on (the benchmark compares FULL with NORMAL).
func SetSQLiteSynchronous(mode string) { sqliteSynchronous = mode }
