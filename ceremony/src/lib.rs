//! `ceremony`: PKCS#11 key work and KSR signing for offline DNSSEC key ceremonies.
