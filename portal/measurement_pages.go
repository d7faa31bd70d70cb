package portal

import "github.com/gin-gonic/gin"

// measurementPages registers the citizen's home-measurement pages.
func (s *Server) measurementPages(r *gin.Engine) {}
