// Package layering holds the test that pins Clearance's layers (see
// docs/architecture.md): it fails when a lower layer imports a higher one,
// when the product imports a test peer, or when it links a library that
// every command would pay for and none needs (links_test.go). It has no
// code of its own.
package layering
