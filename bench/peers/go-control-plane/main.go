// The go-control-plane v0.14 peer of bench/peers.bench.ts: a SotW ADS server on 127.0.0.1:<port>
// serving the resources the benchmark wrote as binary protobuf files, so both servers send the same
// bytes' worth of configuration to the same simulated clients.
//
// stdin, one command a line:
//
//	snapshot <gateway> <version> <dir>   serve <dir>/{listener,route,cluster,endpoint}.pb to node.cluster = gateway
//
// stdout: "listening <port>" once serving. The simulated clients count their own ACKs.
package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	discoverygrpc "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
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
	xds := server.NewServer(context.Background(), snapshots, nil)
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
		}
	}
	grpcServer.Stop()
}
