// Package layering holds the test that pins Clearance's layers (see
// docs/architecture.md): it fails when a lower layer imports a higher one,
// or when the product imports a test peer. It has no code of its own.
package layering
