package fhirapi

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// Inline creates beyond maxInlineDocuments wait for a place, and one whose
// request ends while it waits gives up without taking one.
func TestInlinePlacesBounded(t *testing.T) {
	s := &API{inline: make(chan struct{}, maxInlineDocuments)}
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("POST", "/fhir/r4/DocumentReference", nil)
	var releases []func()
	for range maxInlineDocuments {
		release, err := s.inlinePlace(c)
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	waiting, _ := gin.CreateTestContext(httptest.NewRecorder())
	waiting.Request = c.Request.WithContext(ctx)
	if _, err := s.inlinePlace(waiting); err == nil {
		t.Fatal("a fifth inline create got a place while four held theirs")
	}
	releases[0]()
	if release, err := s.inlinePlace(c); err != nil {
		t.Fatalf("a place given back is not taken again: %v", err)
	} else {
		release()
	}
}
