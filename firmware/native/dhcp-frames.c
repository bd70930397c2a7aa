// The rogue watch's frame socket. A UDP socket on port 68 hears another server's broadcast OFFER
// but not who sent it: the server's IP address may not even be on our network (a home router
// plugged into a classroom socket offers 192.168.1.x), so the gateway cannot ARP for its MAC.
// A packet socket on the interface sees the frame itself, with the sender's MAC. It never sees
// this host's own replies: the kernel gives a packet socket bound to one protocol no outgoing
// frames, and none of the broadcasts it loops back (an ordinary UDP socket does get those; the
// lab test shows both). The kernel's filter keeps
// everything but unfragmented IPv4 UDP to the port out of it; the IP and UDP headers are read by
// JavaScript (transport.ts), bounds-checked, as every protocol byte is.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <string.h>
#include <unistd.h>

#include "dhcp-io.h"

int frames_fd(int ifindex, int port, const char **step) {
  // Protocol 0: nothing is queued before the filter is in place and bind names ETH_P_IP.
  int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return *step = "socket", -1;
  // On a SOCK_DGRAM packet socket the filter sees the packet from its IP header.
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),                  // version and header length
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40, 0, 8),        // IPv4
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6), // UDP
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 4, 0),     // not a fragment
      BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),                 // X = IP header length
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),                  // UDP destination port
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)port, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0xffff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_fprog program = {.len = sizeof code / sizeof code[0], .filter = code};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) return fd_failed(fd, "attach filter", step);
  struct sockaddr_ll local = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = ifindex};
  return bind_fd(fd, &local, sizeof local, step);
}

void describe_frame(dhcp_socket *s, int i, int32_t *meta) {
  const struct sockaddr_ll *from = &s->from[i].ll;
  s->received++;
  if (s->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
    meta[0] = -1;
    s->oversized++;
    return;
  }
  meta[0] = (int32_t)s->msgs[i].msg_len;
  meta[1] = from->sll_ifindex;
  if (from->sll_halen == 6) {
    memcpy((uint8_t *)meta + DHCP_MAC_AT, from->sll_addr, 6);
    meta[5] = 6;
  }
}
