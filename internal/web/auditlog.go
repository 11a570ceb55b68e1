package web

// auditRoutes are the auditor's pages.
func (s *Server) auditRoutes() []route { return nil }
