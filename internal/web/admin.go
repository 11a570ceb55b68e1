package web

// adminRoutes are the system and security administrators' pages.
func (s *Server) adminRoutes() []route { return nil }
