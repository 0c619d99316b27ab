import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *
os.chdir('/work/scratch/fashion')
Xtr,ytr,Xte,yte=load(); rng=np.random.default_rng(0); sub=rng.choice(60000,20000,replace=False)
Xtr=Xtr[sub].astype(np.float32)/255; ytr=ytr[sub].astype(int); Xte=Xte.astype(np.float32)/255; yte=yte.astype(int)
for cfg in sys.argv[1:]:
    mode,m,alpha,split=cfg.split(','); m=int(m); alpha=float(alpha); split=split=='1'
    t=time.time()
    if mode=='raw': A,B=scalef(Xtr,Xte)
    else:
        mu=Xtr.mean(0); s=np.sqrt(((Xtr-mu)**2).mean()); Ytr=(Xtr-mu)/s; Yte=(Xte-mu)/s
        W=init_samples(Ytr,m,rng); A,B=scalef(encode(Ytr,W,0,'relu',alpha,split=split),encode(Yte,W,0,'relu',alpha,split=split))
    r=fastlr(A,ytr,B,yte,lam=1e-2,max_iter=200)
    print(cfg,r,round(time.time()-t),flush=True)
