"""Operations: bring the stack up (`make run`), train with a cache, talk to it (`make chat`)."""
