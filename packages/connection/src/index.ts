/**
 * `@jupyter-ts/connection`: kernel connection files, port allocation, local
 * IPs, SSH tunnels and ZeroMQ sockets per channel (Python's
 * `jupyter_client.connect`, `localinterfaces` and `ssh.tunnel`).
 *
 * @packageDocumentation
 */
export {
  CHANNELS,
  PORT_NAMES,
  formatConnectionInfo,
  readConnectionFile,
  validateConnectionInfo,
  type SocketChannel,
  type ConnectionInfo,
  type PortName,
  type Transport,
  type ValidateConnectionInfoOptions,
} from "./connection-info.js";
export {
  writeConnectionFile,
  type WriteConnectionFileOptions,
  type WrittenConnectionFile,
} from "./write-connection-file.js";
export { findConnectionFile, type FindConnectionFileOptions } from "./find-connection-file.js";
export { LocalPortCache } from "./port-cache.js";
export { isLocalIp, isPublicIp, localIps, localhost, publicIps } from "./local-interfaces.js";
export { channelUrl, connectChannel, type ChannelSockets, type ConnectOptions } from "./channel-socket.js";
export {
  ConnectionFileMixin,
  type ConnectionFileMixinOptions,
  type ConnectionInfoWithSession,
  type MixinWriteOptions,
} from "./connection-file-mixin.js";
export {
  SshTunnelError,
  selectRandomPorts,
  sshTunnel,
  tunnelToKernel,
  type KernelTunnels,
  type SshTunnel,
  type SshTunnelErrorCode,
  type SshTunnelErrorOptions,
  type SshForwardOptions,
  type SshTunnelOptions,
  type TunnelConnectionInfo,
  type TunnelToKernelOptions,
} from "./tunnel.js";
export {
  ConnectionFileError,
  ConnectionFileNotFoundError,
  InvalidConnectionInfoError,
  InvalidPortNumberError,
  PortAllocationError,
} from "./errors.js";
