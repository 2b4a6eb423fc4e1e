//go:build tools

// The etcd server program this module builds (a tools file: it only pins it in go.mod/go.sum).
package etcd

import _ "go.etcd.io/etcd/server/v3"
