// The go-control-plane v0.14 peer of bench/peers.bench.ts: a SotW ADS server on 127.0.0.1:<port>
// serving the resources the benchmark wrote as binary protobuf files, so both servers send the same
// bytes' worth of configuration to the same simulated clients.
//
// stdin, one command a line:
//
//	snapshot <gateway> <version> <dir>   serve <dir>/{listener,route,cluster,endpoint}.pb to node.cluster = gateway
//	expect <version> <count>             print "acked <version>" once <count> streams ACKed routes at <version>
//
// stdout: "listening <port>" once serving, then the "acked" lines.
package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// byGateway groups clients like Portcullis does: by node.cluster, the gateway name.
type byGateway struct{}

func (byGateway) ID(node *core.Node) string { return node.GetCluster() }

// acks counts, per routes version, the streams that ACKed it.
type acks struct {
	mu       sync.Mutex
	counts   map[string]int
	expected map[string]int
}

func (a *acks) request(_ int64, req *discovery.DiscoveryRequest) error {
	if req.GetTypeUrl() != resource.RouteType || req.GetResponseNonce() == "" || req.GetErrorDetail() != nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.counts[req.GetVersionInfo()]++
	a.report(req.GetVersionInfo())
	return nil
}

// report prints "acked" when the expected count is reached; the caller holds mu.
func (a *acks) report(version string) {
	if want, ok := a.expected[version]; ok && a.counts[version] >= want {
		delete(a.expected, version)
		fmt.Printf("acked %s\n", version)
	}
}

func read(dir, name string, message proto.Message) types.Resource {
	data, err := os.ReadFile(dir + "/" + name + ".pb")
	if err == nil {
		err = proto.Unmarshal(data, message)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return message
}

func snapshot(version, dir string) *cache.Snapshot {
	s, err := cache.NewSnapshot(version, map[resource.Type][]types.Resource{
		resource.ListenerType: {read(dir, "listener", &listener.Listener{})},
		resource.RouteType:    {read(dir, "route", &route.RouteConfiguration{})},
		resource.ClusterType:  {read(dir, "cluster", &cluster.Cluster{})},
		resource.EndpointType: {read(dir, "endpoint", &endpoint.ClusterLoadAssignment{})},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return s
}

func main() {
	snapshots := cache.NewSnapshotCache(false, byGateway{}, nil)
	counter := &acks{counts: map[string]int{}, expected: map[string]int{}}
	xds := server.NewServer(context.Background(), snapshots, server.CallbackFuncs{StreamRequestFunc: counter.request})
	grpcServer := grpc.NewServer(grpc.MaxConcurrentStreams(1 << 20))
	discoverygrpc.RegisterAggregatedDiscoveryServiceServer(grpcServer, xds)
	socket, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go grpcServer.Serve(socket)
	fmt.Printf("listening %d\n", socket.Addr().(*net.TCPAddr).Port)

	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		switch {
		case len(fields) == 4 && fields[0] == "snapshot":
			if err := snapshots.SetSnapshot(context.Background(), fields[1], snapshot(fields[2], fields[3])); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		case len(fields) == 3 && fields[0] == "expect":
			count, _ := strconv.Atoi(fields[2])
			counter.mu.Lock()
			counter.expected[fields[1]] = count
			counter.report(fields[1])
			counter.mu.Unlock()
		}
	}
	grpcServer.Stop()
}
