// The test bed's etcd: the unmodified etcd server at one pinned release, in a module of its own
// (its dependency versions differ from the Kubernetes build's). Built by `actlab testbed install`.
module actuation-lab/testbed/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 v3.6.17
