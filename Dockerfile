# SPDX-License-Identifier: BSD-3-Clause
# tcpwintmtd: build and unit-test in the first stage, run from a slim Debian 12 image.
#
#   docker build -t tcpwintmtd .
#   # live, through the host's kernel (net_af_packet), no hugepages:
#   docker run --rm --network host --cap-add NET_RAW --cap-add NET_ADMIN --cap-add IPC_LOCK \
#       -v /srv/flows:/var/lib/tcpwintmt tcpwintmtd \
#       --lcores='(0-1)@(0),2@1' --no-huge -m 512 --no-pci -- \
#       -i net_af_packet0,iface=eth1 -w /var/lib/tcpwintmt
#   # a NIC bound to vfio-pci, with hugepages:
#   docker run --rm --device /dev/vfio --ulimit memlock=-1 -v /dev/hugepages:/dev/hugepages \
#       -v /srv/flows:/var/lib/tcpwintmt tcpwintmtd -l 0-3 -a 0000:01:00.0 -- \
#       -w /var/lib/tcpwintmt
#   # a capture file:
#   docker run --rm -v "$PWD":/data tcpwintmtd -r /data/capture.pcap -w /data/out

FROM debian:12 AS build
RUN apt-get update \
	&& apt-get install -y --no-install-recommends gcc meson ninja-build pkg-config \
		libdpdk-dev libconfig-dev libsystemd-dev libcmocka-dev libpcap-dev zlib1g-dev \
		python3 libcap2-bin \
	&& rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN meson setup build --prefix=/usr --sysconfdir=/etc -Dinstall_systemd=false \
	&& ninja -C build \
	&& meson test -C build --suite unit --print-errorlogs \
	&& DESTDIR=/out meson install -C build --quiet \
	&& setcap cap_net_raw,cap_net_admin,cap_ipc_lock+ep /out/usr/sbin/tcpwintmtd

FROM debian:12-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends dpdk libconfig9 libsystemd0 \
		libpcap0.8 zlib1g \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --home-dir /var/lib/tcpwintmt --shell /usr/sbin/nologin tcpwintmt \
	&& mkdir -p /var/lib/tcpwintmt \
	&& chown tcpwintmt:tcpwintmt /var/lib/tcpwintmt
COPY --from=build /out/ /
USER tcpwintmt
WORKDIR /var/lib/tcpwintmt
VOLUME ["/var/lib/tcpwintmt"]
ENTRYPOINT ["/usr/sbin/tcpwintmtd"]
CMD ["-c", "/etc/tcpwintmt.conf", "--check-config"]
