"""Reports: what the hotline reports every day to the Department of Health and the People's
Committee, computed from the recorded calls, queue legs, callbacks, status logs and cases."""
