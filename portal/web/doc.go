// Package web is omahoito's pages in Finnish, Swedish and English: login
// and logout through the OpenID Connect relying parties, the citizen's home
// measurements (overview, charts and tables, forms, history), and the homes
// of professionals and operators. Handlers load through record.Service (the
// one gate decides access), render typed page data into templates parsed
// once at start, and return errors to one adapter that renders an error
// page over the shell's error table. It never imports a store or the API.
package web
