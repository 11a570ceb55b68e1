package web

// importRoutes are the plan upload, review and save pages.
func (s *Server) importRoutes() []route { return nil }
