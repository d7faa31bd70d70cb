package web

import "github.com/gin-gonic/gin"

// proTemplates are the pro pages' templates, parsed with the layout at start.
var proTemplates = []string{}

// proPages registers the pro pages.
func (s *Pages) proPages(r *gin.Engine) {}
