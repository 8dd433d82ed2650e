/*
 * host: who this host is: its qualified name and its interface addresses.
 *
 * Never stalls: an unqualified host name is looked up in the hosts file only,
 * never through DNS, so start-up does not wait on a resolver (upstream waits
 * a minute).  Runs in every sendmail process at start-up, with any privilege.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_str.h"
#include "sendmail.h"

/* Finds a qualified alias of name in the hosts file; NULL if none. */
static char *
qualify_from_hosts(const char *name)
{
	FILE *fp = fopen("/etc/hosts", "r");
	struct pt_buf line = PT_BUF_INIT;
	char *found = NULL;

	if (fp == NULL)
		return NULL;
	while (found == NULL && pt_file_getline(fp, &line)) {
		char *p = line.s, *w, *words[32];
		int n = 0;
		bool has_name = false;

		if (p == NULL)
			continue;
		p[strcspn(p, "#")] = '\0';
		while (n < 32 && (w = strsep(&p, " \t")) != NULL)
			if (*w != '\0')
				words[n++] = w;
		for (int i = 1; i < n; i++)
			if (pt_strcasecmp(words[i], name) == 0)
				has_name = true;
		for (int i = 1; has_name && i < n && found == NULL; i++)
			if (strchr(words[i], '.') != NULL &&
			    pt_strncasecmp(words[i], name, strlen(name)) == 0 &&
			    words[i][strlen(name)] == '.')
				found = pt_strdup(words[i]);
	}
	pt_buf_free(&line);
	fclose(fp);
	return found;
}

char *
host_qualified_name(void)
{
	char name[256];
	char *q;

	if (gethostname(name, sizeof name) < 0)
		pt_strlcpy(name, "localhost", sizeof name);
	name[sizeof name - 1] = '\0';
	if (strchr(name, '.') != NULL)
		return pt_strdup(name);
	q = qualify_from_hosts(name);
	return q != NULL ? q : pt_strdup(name);
}

/* Adds the addresses the host's own name resolves to, as [addr], to class w. */
static void
add_own_addresses(struct cf_config *cfg)
{
	const char *j = mac_get(cfg->macros, 'j', NULL);
	struct addrinfo hints, *res = NULL;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if (j == NULL || getaddrinfo(j, NULL, &hints, &res) != 0)
		return;
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		char addr[INET6_ADDRSTRLEN], lit[INET6_ADDRSTRLEN + 8];

		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr, NULL, 0,
		    NI_NUMERICHOST) != 0)
			continue;
		snprintf(lit, sizeof lit, ai->ai_family == AF_INET6 ? "[IPv6:%s]" : "[%s]", addr);
		cf_class_add(cfg, 'w', lit);
	}
	freeaddrinfo(res);
}

void
host_add_interfaces(struct cf_config *cfg)
{
	add_own_addresses(cfg);
	struct ifaddrs *ifs, *i;
	char buf[INET_ADDRSTRLEN + 2];

	if (cfg->opt.dont_probe_interfaces != NULL &&
	    (*cfg->opt.dont_probe_interfaces == '\0' ||
	     strchr("tTyY", *cfg->opt.dont_probe_interfaces) != NULL))
		return;
	if (getifaddrs(&ifs) < 0)
		return;
	for (i = ifs; i != NULL; i = i->ifa_next) {
		char addr[INET_ADDRSTRLEN];

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, addr,
		    sizeof addr);
		if (cfg->opt.dont_probe_interfaces != NULL &&
		    pt_strcasecmp(cfg->opt.dont_probe_interfaces, "loopback") == 0 &&
		    strncmp(addr, "127.", 4) == 0)
			continue;
		snprintf(buf, sizeof buf, "[%s]", addr);
		cf_class_add(cfg, 'w', buf);
	}
	freeifaddrs(ifs);
}
