/*
 * map_switch: the service switch: which methods ("files", "dns", "nis",
 * ...) serve a service ("hosts", "aliases", "passwd"), in order.
 *
 * Read from ServiceSwitchFile (/etc/mail/service.switch by default: lines
 * "service method ..."); when that file does not exist, from
 * /etc/nsswitch.conf ("service: method [action] ..."); when neither names
 * the service, upstream's built-in defaults (hosts: dns files; aliases:
 * files; passwd: files).
 */
#ifndef MAP_SWITCH_H
#define MAP_SWITCH_H

#include "map.h"

/* The default ServiceSwitchFile. */
#define MAP_SWITCH_FILE "/etc/mail/service.switch"
/* The system's switch, read when ServiceSwitchFile does not exist. */
#define MAP_NSSWITCH_FILE "/etc/nsswitch.conf"
/* Most methods one service may list (upstream's MAXMAPSTACK). */
#define MAP_SWITCH_MAX 12

/*
 * Fills methods with the methods of service (static strings or copies the
 * caller frees with map_switch_free) and returns how many; 0 when the
 * service is unknown everywhere.
 */
int map_switch_methods(const struct map_options *o, const char *service,
    char *methods[MAP_SWITCH_MAX]);
/* Frees what map_switch_methods returned. */
void map_switch_free(char *methods[MAP_SWITCH_MAX], int n);

#endif
