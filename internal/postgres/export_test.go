package postgres

// SetTestConnected installs a test signal called each time LISTEN is
// (re)established.
func (b *Bus) SetTestConnected(f func()) { b.testConnected = f }

// NotifyChannel is the channel this store NOTIFYs on.
func (db *DB) NotifyChannel() string { return db.channel }

// VectorQueriesFromCopy is how many vector queries the node's copy answered.
func (s *KBStore) VectorQueriesFromCopy() int64 { return s.shared.vectors.served.Load() }
