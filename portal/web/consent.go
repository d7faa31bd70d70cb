package web

import "github.com/gin-gonic/gin"

// consentTemplates are the consent pages' templates, parsed with the layout at start.
var consentTemplates = []string{}

// consentPages registers the consent pages.
func (s *Pages) consentPages(r *gin.Engine) {}
