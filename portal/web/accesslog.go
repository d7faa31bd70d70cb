package web

import "github.com/gin-gonic/gin"

// accessLogTemplates are the accesslog pages' templates, parsed with the layout at start.
var accessLogTemplates = []string{}

// accessLogPages registers the accesslog pages.
func (s *Pages) accessLogPages(r *gin.Engine) {}
