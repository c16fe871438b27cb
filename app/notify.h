/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * systemd notification (sd_notify), a no-op without libsystemd or NOTIFY_SOCKET:
 * READY=1 once ports, lcores and the first output file are up; STATUS= once a second;
 * WATCHDOG=1 only while every RX lcore is making progress; STOPPING=1 on shutdown.
 */
#ifndef TCPW_APP_NOTIFY_H
#define TCPW_APP_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeline.h"

void notify_ready(void);
void notify_reloading(void);
void notify_stopping(void);
/* Call about every 10 ms from the control loop. */
void notify_tick(struct pipeline *pl, const char *active_file);

#endif
