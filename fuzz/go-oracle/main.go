// Differential oracle for dockward's gojson decoder: decodes each input file (paths on stdin, one
// a line) with Go's encoding/json into a mirror of the type dockerd 20.10 decodes that body into
// (the first argument: create, exec, update, volume, service), and writes one line per input:
// {"ok":false}, or {"ok":true,"value":...} with the decoded value marshalled back.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

type StrSlice []string

func (e *StrSlice) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	p := make([]string, 0, 1)
	if err := json.Unmarshal(b, &p); err != nil {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		p = append(p, s)
	}
	*e = p
	return nil
}

type HealthConfig struct {
	Test        []string
	Interval    int64
	Timeout     int64
	StartPeriod int64
	Retries     int
}

type Config struct {
	Hostname        string
	Domainname      string
	User            string
	AttachStdin     bool
	AttachStdout    bool
	AttachStderr    bool
	ExposedPorts    map[string]struct{}
	Tty             bool
	OpenStdin       bool
	StdinOnce       bool
	Env             []string
	Cmd             StrSlice
	Healthcheck     *HealthConfig
	ArgsEscaped     bool
	Image           string
	Volumes         map[string]struct{}
	WorkingDir      string
	Entrypoint      StrSlice
	NetworkDisabled bool
	MacAddress      string
	OnBuild         []string
	Labels          map[string]string
	StopSignal      string
	StopTimeout     *int
	Shell           StrSlice
}

type WeightDevice struct {
	Path   string
	Weight uint16
}
type ThrottleDevice struct {
	Path string
	Rate uint64
}
type DeviceMapping struct{ PathOnHost, PathInContainer, CgroupPermissions string }
type DeviceRequest struct {
	Driver       string
	Count        int
	DeviceIDs    []string
	Capabilities [][]string
	Options      map[string]string
}
type Ulimit struct {
	Name string
	Hard int64
	Soft int64
}

type Resources struct {
	CPUShares            int64 `json:"CpuShares"`
	Memory               int64
	NanoCPUs             int64 `json:"NanoCpus"`
	CgroupParent         string
	BlkioWeight          uint16
	BlkioWeightDevice    []*WeightDevice
	BlkioDeviceReadBps   []*ThrottleDevice
	BlkioDeviceWriteBps  []*ThrottleDevice
	BlkioDeviceReadIOps  []*ThrottleDevice
	BlkioDeviceWriteIOps []*ThrottleDevice
	CPUPeriod            int64 `json:"CpuPeriod"`
	CPUQuota             int64 `json:"CpuQuota"`
	CPURealtimePeriod    int64 `json:"CpuRealtimePeriod"`
	CPURealtimeRuntime   int64 `json:"CpuRealtimeRuntime"`
	CpusetCpus           string
	CpusetMems           string
	Devices              []DeviceMapping
	DeviceCgroupRules    []string
	DeviceRequests       []DeviceRequest
	KernelMemory         int64
	KernelMemoryTCP      int64
	MemoryReservation    int64
	MemorySwap           int64
	MemorySwappiness     *int64
	OomKillDisable       *bool
	PidsLimit            *int64
	Ulimits              []*Ulimit
	CPUCount             int64 `json:"CpuCount"`
	CPUPercent           int64 `json:"CpuPercent"`
	IOMaximumIOps        uint64
	IOMaximumBandwidth   uint64
}

type BindOptions struct {
	Propagation  string
	NonRecursive bool
}
type Driver struct {
	Name    string
	Options map[string]string
}
type VolumeOptions struct {
	NoCopy       bool
	Labels       map[string]string
	DriverConfig *Driver
}
type TmpfsOptions struct {
	SizeBytes int64
	Mode      uint32
}
type Mount struct {
	Type          string
	Source        string
	Target        string
	ReadOnly      bool
	Consistency   string
	BindOptions   *BindOptions
	VolumeOptions *VolumeOptions
	TmpfsOptions  *TmpfsOptions
}
type LogConfig struct {
	Type   string
	Config map[string]string
}
type RestartPolicy struct {
	Name              string
	MaximumRetryCount int
}
type PortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}

type HostConfig struct {
	Binds           []string
	ContainerIDFile string
	LogConfig       LogConfig
	NetworkMode     string
	PortBindings    map[string][]PortBinding
	RestartPolicy   RestartPolicy
	AutoRemove      bool
	VolumeDriver    string
	VolumesFrom     []string
	CapAdd          StrSlice
	CapDrop         StrSlice
	CgroupnsMode    string
	DNS             []string `json:"Dns"`
	DNSOptions      []string `json:"DnsOptions"`
	DNSSearch       []string `json:"DnsSearch"`
	ExtraHosts      []string
	GroupAdd        []string
	IpcMode         string
	Cgroup          string
	Links           []string
	OomScoreAdj     int
	PidMode         string
	Privileged      bool
	PublishAllPorts bool
	ReadonlyRootfs  bool
	SecurityOpt     []string
	StorageOpt      map[string]string
	Tmpfs           map[string]string
	UTSMode         string
	UsernsMode      string
	ShmSize         int64
	Sysctls         map[string]string
	Runtime         string
	ConsoleSize     [2]uint
	Isolation       string
	Resources
	Mounts        []Mount
	MaskedPaths   []string
	ReadonlyPaths []string
	Init          *bool
}

type EndpointIPAMConfig struct {
	IPv4Address  string
	IPv6Address  string
	LinkLocalIPs []string
}
type EndpointSettings struct {
	IPAMConfig          *EndpointIPAMConfig
	Links               []string
	Aliases             []string
	NetworkID           string
	EndpointID          string
	Gateway             string
	IPAddress           string
	IPPrefixLen         int
	IPv6Gateway         string
	GlobalIPv6Address   string
	GlobalIPv6PrefixLen int
	MacAddress          string
	DriverOpts          map[string]string
}
type NetworkingConfig struct {
	EndpointsConfig map[string]*EndpointSettings
}

// Skip stands for the fields dockward's schemas mark Ignore: it takes any value, checks nothing
// and marshals as null.
type Skip struct{}

func (*Skip) UnmarshalJSON([]byte) error  { return nil }
func (Skip) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

type ExecConfig struct {
	User         string
	Privileged   bool
	Tty          bool
	AttachStdin  bool
	AttachStderr bool
	AttachStdout bool
	Detach       bool
	DetachKeys   string
	Env          []string
	WorkingDir   string
	Cmd          []string
}

type UpdateConfig struct {
	Resources
	RestartPolicy RestartPolicy
}

type VolumeCreateBody struct {
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
	Name       string
}

type SELinuxContext struct {
	Disable bool
	User    string
	Role    string
	Type    string
	Level   string
}
type SeccompOpts struct {
	Mode    string
	Profile []byte
}
type AppArmorOpts struct{ Mode string }
type Privileges struct {
	CredentialSpec  Skip
	SELinuxContext  *SELinuxContext
	Seccomp         *SeccompOpts
	AppArmor        *AppArmorOpts
	NoNewPrivileges bool
}
type ContainerSpec struct {
	Image           string
	Labels          map[string]string
	Command         []string
	Args            []string
	Hostname        string
	Env             []string
	Dir             string
	User            string
	Groups          []string
	Privileges      *Privileges
	Init            *bool
	StopSignal      string
	TTY             bool
	OpenStdin       bool
	ReadOnly        bool
	Mounts          []Mount
	StopGracePeriod *int64
	Healthcheck     *HealthConfig
	Hosts           []string
	DNSConfig       Skip
	Secrets         Skip
	Configs         Skip
	Isolation       string
	Sysctls         map[string]string
	CapabilityAdd   []string
	CapabilityDrop  []string
	Ulimits         []*Ulimit
}
type Limit struct {
	NanoCPUs    int64
	MemoryBytes int64
	Pids        int64
}
type ResourceRequirements struct {
	Limits       *Limit
	Reservations Skip
}
type NetworkAttachmentConfig struct {
	Target     string
	Aliases    []string
	DriverOpts map[string]string
}
type TaskSpec struct {
	ContainerSpec         *ContainerSpec
	PluginSpec            Skip
	NetworkAttachmentSpec Skip
	Resources             *ResourceRequirements
	RestartPolicy         Skip
	Placement             Skip
	Networks              []NetworkAttachmentConfig
	LogDriver             Skip
	ForceUpdate           uint64
	Runtime               string
}
type PortConfig struct {
	Name          string
	Protocol      string
	TargetPort    uint32
	PublishedPort uint32
	PublishMode   string
}
type EndpointSpec struct {
	Mode  string
	Ports []PortConfig
}
type Annotations struct {
	Name   string
	Labels map[string]string
}
type ServiceSpec struct {
	Annotations
	TaskTemplate   TaskSpec
	Mode           Skip
	UpdateConfig   Skip
	RollbackConfig Skip
	Networks       []NetworkAttachmentConfig
	EndpointSpec   *EndpointSpec
}

type Wrapper struct {
	*Config
	InnerHostConfig  *HostConfig `json:"HostConfig"`
	Cpuset           string
	NetworkingConfig *NetworkingConfig
	*HostConfig
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		path := in.Text()
		data, err := os.ReadFile(path)
		if err != nil {
			panic(err)
		}
		var target interface{}
		var w Wrapper
		switch os.Args[1] {
		case "create":
			target = &w
		case "exec":
			target = &ExecConfig{}
		case "update":
			target = &UpdateConfig{}
		case "volume":
			target = &VolumeCreateBody{}
		case "service":
			target = &ServiceSpec{}
		default:
			panic("unknown schema " + os.Args[1])
		}
		if err := json.NewDecoder(bytes.NewReader(data)).Decode(target); err != nil {
			fmt.Fprintf(out, "{\"ok\":false}\n")
			continue
		}
		// Marshal writes no fields of a nil embedded pointer; dockward's canonical form has them
		// (zero) at the top level either way.
		if w.Config == nil {
			w.Config = &Config{}
		}
		if w.HostConfig == nil {
			w.HostConfig = &HostConfig{}
		}
		b, err := json.Marshal(target)
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(out, "{\"ok\":true,\"value\":%s}\n", b)
	}
}
