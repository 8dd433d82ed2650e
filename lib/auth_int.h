/*
 * auth_int: what the files of the auth module share and nothing else sees.
 */
#ifndef AUTH_INT_H
#define AUTH_INT_H

/*
 * SASL's callback table stores every callback as int (*)(void); the cast
 * goes through void (*)(void), the type that converts to and from any other.
 */
#define AUTH_CALLBACK(fn) ((int (*)(void))(void (*)(void))(fn))

#endif
