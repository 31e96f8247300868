from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum parameters: m = 19 MiB, t = 2, p = 1.

    About 40 ms a login here instead of about 575 ms for PBKDF2, so report-card day's
    logins do not saturate the CPUs. Hashes made with other parameters are re-made with
    these at the next login (Django's must_update compares the parameters).
    """

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
