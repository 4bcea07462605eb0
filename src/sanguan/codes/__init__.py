"""National code formats and tables: resident ID numbers (GB 11643), administrative
divisions (GB/T 2260, province level), institution codes (学校代码 / 学校标识码), the
unified social credit code (GB 32100), programme catalogue codes and certificate numbers.

Pure functions with no models or database. Every validator raises ``CodeError`` with a
translatable message naming what is wrong, or returns the normalised value."""
