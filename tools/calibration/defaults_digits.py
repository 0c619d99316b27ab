import os, sys; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *
X,y=load_digits()
def prep(Xtr,Xte,mode):
    mu=Xtr.mean(0); Xc=Xtr-mu
    if mode=='scalar':
        s=np.sqrt((Xc**2).sum()/Xc.size); return Xc/s,(Xte-mu)/s
    C=Xc.T@Xc/len(Xc); ev,V=np.linalg.eigh(C.astype(np.float64)); ev=ev[::-1];V=V[:,::-1]
    eps=10*ev.sum()/len(ev); r=min(100,len(ev)); P=(V[:,:r]/np.sqrt(ev[:r]+eps)).astype(np.float32)
    return Xc@P,(Xte-mu)@P
res={}
for cfg in sys.argv[1:]:
    mode,m,alpha,split=cfg.split(','); m=int(m); alpha=float(alpha); split=split=='1'
    accs=[]
    for seed in range(5):
        rng=np.random.default_rng(seed); p=rng.permutation(len(X)); nte=len(X)//3; te,tr=p[:nte],p[nte:]
        if mode=='raw': A,B=scalef(X[tr],X[te]); 
        else:
            Ytr,Yte=prep(X[tr],X[te],mode); W=init_samples(Ytr,min(m,len(tr)),rng)
            A,B=scalef(encode(Ytr,W,0,'relu',alpha,split=split),encode(Yte,W,0,'relu',alpha,split=split))
        accs.append(fastlr(A,y[tr],B,y[te],lam=1e-2)[0])
    print(cfg,np.round(accs,3),round(np.mean(accs),4),flush=True)
